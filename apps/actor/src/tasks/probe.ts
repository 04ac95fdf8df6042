// Probe: staged connectivity diagnostics of the profile's mailbox, each step sent to the Director
// as it completes. For IMAP and POP3 profiles the outgoing SMTP server is checked too (after the
// incoming one, whatever its outcome); every step says which server it belongs to.
import {
  isMailServerProfile,
  type ProbeReport,
  type ProbeStep,
  type TaskResult,
} from '@email-profiles/core';
import { probeIncoming, probeOutgoing } from '../transports.js';
import type { ProbeTask, TaskContext } from './context.js';

type Server = 'incoming' | 'outgoing';

export async function runProbeTask(task: ProbeTask, context: TaskContext): Promise<TaskResult> {
  const { profile } = task;
  const signal = AbortSignal.any([
    context.signal,
    AbortSignal.timeout(Math.max(Date.parse(task.deadlineAt) - Date.now(), 1)),
  ]);
  const onStep = (server: Server) => (step: ProbeStep) => {
    context.report({ type: 'probe_step', taskId: task.id, step: tagged(step, server) });
  };
  const incoming = await probeIncoming(
    profile,
    { signal, onStep: onStep('incoming') },
    context.transports,
  );
  if (!isMailServerProfile(profile))
    return { kind: 'probe', taskId: task.id, report: withServer(incoming, 'incoming') };
  const outgoing = await probeOutgoing(profile, { signal, onStep: onStep('outgoing') });
  return { kind: 'probe', taskId: task.id, report: combine(incoming, outgoing) };
}

function tagged(step: ProbeStep, server: Server): ProbeStep {
  return { ...step, facts: { ...step.facts, server } };
}

function withServer(report: ProbeReport, server: Server): ProbeReport {
  return { ...report, steps: report.steps.map((step) => tagged(step, server)) };
}

/** Both servers' steps in order; the first failure (incoming first) is the report's failure. */
export function combine(incoming: ProbeReport, outgoing: ProbeReport): ProbeReport {
  const failure = incoming.failure ?? outgoing.failure;
  return {
    ok: incoming.ok && outgoing.ok,
    steps: [...withServer(incoming, 'incoming').steps, ...withServer(outgoing, 'outgoing').steps],
    ...(failure ? { failure } : {}),
    durationMs: Math.round((incoming.durationMs + outgoing.durationMs) * 10) / 10,
  };
}
