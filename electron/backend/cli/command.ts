/** The shape of a CLI command and its output channel (see main.ts). */
import type { ParseArgsConfig } from 'node:util';
import type { Api } from '../../../shared/contract';

export interface CliOutput {
  json: boolean;
  /** Human-readable line (suppressed with --json). */
  line(text: string): void;
  /** The one JSON document of --json. */
  result(value: unknown): void;
}

export interface CliCommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(api: Api, args: { values: Record<string, unknown>; positionals: string[] }, out: CliOutput): Promise<void>;
}
