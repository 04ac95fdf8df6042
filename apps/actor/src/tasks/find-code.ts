// Find code: look in the profile's mailbox (IMAP, POP3, Graph or Gmail) for the verification
// email carrying the task's code, until found or the task's deadline.
import type { TaskResult } from '@email-profiles/core';
import { findCode } from '../transports.js';
import type { FindCodeTask, TaskContext } from './context.js';

export async function runFindCode(task: FindCodeTask, context: TaskContext): Promise<TaskResult> {
  context.report({ type: 'check_started', taskId: task.id, at: new Date().toISOString() });
  const result = await findCode(
    task.profile,
    { code: task.code, since: new Date(task.since), deadline: new Date(task.deadlineAt) },
    context.signal,
    context.transports,
  );
  return { kind: 'find_code', taskId: task.id, result };
}
