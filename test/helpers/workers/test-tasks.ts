/** A worker with test tasks, for the job runner's own tests. */
import { ApiError } from '../../../shared/errors';
import { serveTasks } from '../../../electron/backend/jobs/serve-tasks';

serveTasks({
  sum: (input: { values: number[] }, context) => {
    let total = 0;
    input.values.forEach((v, i) => {
      total += v;
      context.progress(i + 1, input.values.length, 'adding');
    });
    return { total };
  },
  refuse: () => {
    throw new ApiError('invalid_input', 'depth must be positive', { field: 'depth' });
  },
  forever: (_input: unknown, context) => {
    context.progress(0, 1, 'spinning');
    for (;;) {
      /* only terminate() ends this */
    }
  },
});
