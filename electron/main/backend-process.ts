/**
 * Main's handle on the backend `utilityProcess`: forks it, numbers requests, matches replies,
 * hands pushes on. Relay only — it never looks inside params or results.
 *
 * If the backend dies, every pending call is answered with an `internal` error and the next
 * call forks a fresh one (at most `maxRestarts` times, so a backend that crashes on start
 * cannot spin forever).
 */
import type { PushEvent, ReplyMessage } from '../../shared/contract';
import type { ApiErrorShape } from '../../shared/errors';
import type { BackendToMain, MainToBackend } from '../backend/utility-protocol';

/** The slice of Electron's `UtilityProcess` used here. */
export interface ChildLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: MainToBackend): void;
  kill(): boolean;
}

export type ForkFunction = (modulePath: string, args: string[], options: { serviceName: string; stdio: 'inherit' }) => ChildLike;

export interface BackendProcessOptions {
  /** Built backend entry (out/main/backend.js). */
  entry: string;
  dbPath: string;
  /** `utilityProcess.fork` in the app; a fake in tests. */
  fork: ForkFunction;
  onPush: (event: PushEvent) => void;
  /** Start-up failure of the backend (e.g. a database from a newer version). */
  onFatal?: (error: ApiErrorShape) => void;
  maxRestarts?: number;
  /** How long `stop` waits for a clean exit before killing. */
  stopTimeoutMs?: number;
}

/** Calls the backend; what IPC and the menu need. Never rejects. */
export interface BackendCaller {
  call(method: string, params: unknown, trusted: boolean): Promise<ReplyMessage>;
}

export class BackendProcess implements BackendCaller {
  private child: ChildLike | null = null;
  private nextId = 1;
  private restarts = 0;
  private stopping = false;
  private readonly pending = new Map<number, (reply: ReplyMessage) => void>();
  private exitWaiters: Array<() => void> = [];

  constructor(private readonly options: BackendProcessOptions) {}

  /** Forks the backend now (otherwise the first call does). */
  start(): void {
    if (!this.child && !this.stopping) this.child = this.spawn();
  }

  call(method: string, params: unknown, trusted: boolean): Promise<ReplyMessage> {
    const id = this.nextId++;
    if (this.stopping) return Promise.resolve(failure(id, 'the backend is shutting down'));
    if (!this.child) {
      if (this.restarts > (this.options.maxRestarts ?? 3)) {
        return Promise.resolve(failure(id, 'the backend process keeps stopping; restart Undertow'));
      }
      this.child = this.spawn();
    }
    const child = this.child;
    return new Promise<ReplyMessage>((resolve) => {
      this.pending.set(id, resolve);
      try {
        child.postMessage({ id, method, params, trusted });
      } catch (err) {
        // Not structured-cloneable; IPC has already cloned renderer params, so this is main's own bug.
        this.pending.delete(id);
        resolve(failure(id, `cannot send the request: ${(err as Error)?.message ?? String(err)}`));
      }
    });
  }

  /** Asks the backend to close its database and exit; kills it if it does not in time. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.postMessage({ type: 'shutdown' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.stopTimeoutMs ?? 3000);
    });
    if ((await Promise.race([exited, timeout])) === 'timeout') child.kill();
    clearTimeout(timer);
  }

  private spawn(): ChildLike {
    const child = this.options.fork(this.options.entry, ['--db', this.options.dbPath], {
      serviceName: 'Undertow backend',
      stdio: 'inherit',
    });
    child.on('message', (message) => this.onMessage(message as BackendToMain));
    child.on('exit', (code) => this.onExit(child, code));
    return child;
  }

  private onMessage(message: BackendToMain): void {
    if (typeof message !== 'object' || message === null) return;
    switch (message.type) {
      case 'reply': {
        const resolve = this.pending.get(message.reply.id);
        if (!resolve) return;
        this.pending.delete(message.reply.id);
        resolve(message.reply);
        return;
      }
      case 'push':
        this.options.onPush(message.event);
        return;
      case 'fatal':
        this.options.onFatal?.(message.error);
        return;
      case 'ready':
        return;
    }
  }

  private onExit(child: ChildLike, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    if (!this.stopping) this.restarts++;
    for (const [id, resolve] of this.pending) {
      resolve(failure(id, `the backend process stopped (exit code ${code}); try again`));
    }
    this.pending.clear();
    for (const resolve of this.exitWaiters) resolve();
    this.exitWaiters = [];
  }
}

function failure(id: number, message: string): ReplyMessage {
  return { id, ok: false, error: { code: 'internal', message, where: {} } };
}
