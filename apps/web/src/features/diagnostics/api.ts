import type {
  DiagnosticsDraftInput,
  DiagnosticsSnapshot,
  VerificationTarget,
} from '@email-profiles/core';
import { api, unsubscriber } from '../../api/client';

export const diagnosticsApi = {
  run: (target: VerificationTarget) => api.diagnostics.run.mutate(target),
  /** The same check on a form's profile before it is saved (nothing stored). */
  runDraft: (draft: DiagnosticsDraftInput) => api.diagnostics.runDraft.mutate(draft),
  /** The check as it is now and at each change, until done; returns unsubscribe. */
  follow(
    runId: string,
    onData: (snapshot: DiagnosticsSnapshot) => void,
    onError: (e: unknown) => void,
  ) {
    return unsubscriber(api.diagnostics.onRun.subscribe({ runId }, { onData, onError }));
  },
};
