/** The app's task worker: serves the engine tasks (built as out/main/worker.js). */
import { serveTasks } from './serve-tasks';
import { ENGINE_TASKS } from './engine-tasks';
import type { TaskFunction } from './protocol';

serveTasks(ENGINE_TASKS as unknown as Record<string, TaskFunction>);
