import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalExamples } from './examples.js';
import { explainFailure, knownSignals } from './taxonomy.js';
import {
  TROUBLESHOOTING_COMMAND,
  TROUBLESHOOTING_PATH,
  troubleshootingGuide,
} from './troubleshooting.js';

const repositoryRoot = join(import.meta.dirname, '..', '..', '..', '..');

describe('docs/troubleshooting.md', () => {
  it('is what the taxonomy renders today', () => {
    const committed = readFileSync(join(repositoryRoot, TROUBLESHOOTING_PATH), 'utf8');
    const rendered = troubleshootingGuide();
    expect(
      committed === rendered,
      `${TROUBLESHOOTING_PATH} is out of date with the failure taxonomy: run ${TROUBLESHOOTING_COMMAND} and commit the result`,
    ).toBe(true);
  });

  it('documents every signal, and every hint once', () => {
    const guide = troubleshootingGuide();
    for (const signal of knownSignals) expect(guide).toContain(`\`${signal.id}\``);
    const hints = [...guide.matchAll(/^- \*\*What to do:\*\* (.*)$/gm)].map((match) => match[1]);
    expect(new Set(hints).size).toBe(hints.length);
  });

  it('shows no raw HTML from hints such as <client ID>', () => {
    const outsideCode = troubleshootingGuide().replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<(?!!--)[a-z]/i);
  });
});

describe('signal examples', () => {
  it.each(Object.entries(signalExamples))('%s selects its own signal', (id, observation) => {
    expect(explainFailure(observation).signal).toBe(id);
  });

  it('name only known signals', () => {
    const ids = new Set(knownSignals.map((signal) => signal.id));
    expect(Object.keys(signalExamples).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('exist for every hint that depends on the observation', () => {
    const missing = knownSignals
      .filter((signal) => typeof signal.hint === 'function' && !(signal.id in signalExamples))
      .map((signal) => signal.id);
    expect(missing).toEqual([]);
  });
});
