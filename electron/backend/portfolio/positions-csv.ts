/**
 * Positions CSV (`id,symbol,side,qty,entry,leverage[,margin][,openedAt]`), for books too
 * large or too foreign for the portfolio JSON. Header required, any column order; every
 * rejection names the file, line and field.
 */
import { ApiError } from '../../../shared/errors';
import { positionSchema, type PositionSpec } from '../../../shared/portfolio';

const REQUIRED = ['id', 'symbol', 'side', 'qty', 'entry'] as const;
const OPTIONAL = ['leverage', 'margin', 'openedAt'] as const;
const NUMERIC = new Set(['qty', 'entry', 'leverage', 'margin', 'openedAt']);

export function parsePositionsCsv(text: string, fileName: string): PositionSpec[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new ApiError('invalid_input', 'the file is empty', { file: fileName });
  const header = lines[headerIndex]!.replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
  const columns = new Map<string, number>();
  header.forEach((name, i) => {
    const known = [...REQUIRED, ...OPTIONAL].find((k) => k.toLowerCase() === name.toLowerCase());
    if (!known) {
      throw new ApiError('invalid_input', `unknown column "${name}" (expected ${[...REQUIRED, ...OPTIONAL].join(',')})`, {
        file: fileName, line: headerIndex + 1, field: name,
      });
    }
    columns.set(known, i);
  });
  for (const required of REQUIRED) {
    if (!columns.has(required)) {
      throw new ApiError('invalid_input', `the header has no "${required}" column`, { file: fileName, line: headerIndex + 1, field: required });
    }
  }

  const positions: PositionSpec[] = [];
  const seen = new Map<string, number>();
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const where = { file: fileName, line: i + 1 };
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new ApiError('invalid_input', `expected ${header.length} columns, found ${cells.length}`, where);
    }
    const raw: Record<string, unknown> = {};
    for (const [name, index] of columns) {
      const cell = cells[index]!.trim();
      if (cell === '') continue;
      if (NUMERIC.has(name)) {
        const value = Number(cell);
        if (!Number.isFinite(value)) throw new ApiError('invalid_input', `${name} "${cell.slice(0, 40)}" is not a number`, { ...where, field: name });
        raw[name] = value;
      } else {
        raw[name] = name === 'side' ? cell.toLowerCase() : cell;
      }
    }
    const parsed = positionSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ApiError('invalid_input', issue.message, { ...where, field: String(issue.path[0] ?? '') });
    }
    const previous = seen.get(parsed.data.id);
    if (previous !== undefined) {
      throw new ApiError('invalid_input', `position id "${parsed.data.id}" already used on line ${previous}`, { ...where, field: 'id' });
    }
    seen.set(parsed.data.id, i + 1);
    positions.push(parsed.data);
  }
  if (positions.length === 0) throw new ApiError('invalid_input', 'the file has no positions', { file: fileName });
  return positions;
}

export function positionsToCsv(positions: readonly PositionSpec[]): string {
  const header = 'id,symbol,side,qty,entry,leverage,margin,openedAt';
  const rows = positions.map((p) =>
    [p.id, p.symbol, p.side, p.qty, p.entry, p.leverage ?? '', p.margin ?? '', p.openedAt ?? ''].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}
