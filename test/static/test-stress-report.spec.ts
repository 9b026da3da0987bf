import { describe, expect, it } from '@jest/globals';
import { failuresOf, formatStressReport, type JestReport, type StressRun } from '../../scripts/test-stress-report.js';

const ROOT = '/repo';

const report = (testResults: JestReport['testResults']): JestReport => ({
  numTotalTests: testResults.reduce((sum, result) => sum + result.assertionResults.length, 0),
  numFailedTests: 0,
  testResults,
});

describe('test:stress report', () => {
  describe('failuresOf', () => {
    it('names each failed test with its file, its first message line and what was expected and received', () => {
      const failures = failuresOf(
        report([
          {
            name: '/repo/test/integration/publishing.spec.ts',
            status: 'failed',
            message: '',
            assertionResults: [
              { ancestorTitles: ['publishing'], title: 'publishes once', status: 'passed', failureMessages: [] },
              {
                ancestorTitles: ['publishing', '429'],
                title: 'waits for the reset',
                status: 'failed',
                failureMessages: [
                  '\u001b[31mError: expect(received).toBe(expected)\u001b[39m\n\n  Expected: "published"\n  Received: "publishing"\n\n    at Object.<anonymous> (publishing.spec.ts:1:1)',
                ],
              },
            ],
          },
          {
            name: '/repo/libs/shared/src/crypto/crypto.spec.ts',
            status: 'passed',
            message: '',
            assertionResults: [
              { ancestorTitles: [], title: 'crypto round-trips', status: 'passed', failureMessages: [] },
            ],
          },
        ]),
        ROOT,
      );
      expect(failures).toEqual([
        {
          file: 'test/integration/publishing.spec.ts',
          test: 'publishing › 429 › waits for the reset',
          reason: 'Error: expect(received).toBe(expected) Expected: "published" Received: "publishing"',
        },
      ]);
    });

    it('reports a file that failed without a failing test (a failed beforeAll, a syntax error) as a whole', () => {
      const failures = failuresOf(
        report([
          {
            name: '/repo/test/e2e/outages.e2e.spec.ts',
            status: 'failed',
            message: '\n  ● Test suite failed to run\n\n    Cannot find module',
            assertionResults: [],
          },
        ]),
        ROOT,
      );
      expect(failures).toEqual([{ file: 'test/e2e/outages.e2e.spec.ts', reason: '● Test suite failed to run' }]);
    });

    it('finds nothing in a run where every file passed', () => {
      const passed = report([
        {
          name: '/repo/a.spec.ts',
          status: 'passed',
          message: '',
          assertionResults: [{ ancestorTitles: [], title: 'a', status: 'passed', failureMessages: [] }],
        },
      ]);
      expect(failuresOf(passed, ROOT)).toEqual([]);
    });
  });

  describe('formatStressReport', () => {
    const flaky = { file: 'test/integration/publishing.spec.ts', test: 'publishing waits', reason: 'Timed out' };
    const broken = { file: 'test/e2e/outages.e2e.spec.ts', reason: 'Test suite failed to run' };

    it('lists every run, every failure, and how often each test failed', () => {
      const runs: StressRun[] = [
        { durationMs: 301_400, tests: 420, failures: [] },
        { durationMs: 310_000, tests: 420, failures: [flaky, broken] },
        { durationMs: 12_000, failures: [], error: 'Jest exited with code 1 and wrote no report' },
        { durationMs: 299_600, tests: 420, failures: [flaky] },
      ];
      expect(formatStressReport(runs, 2).split('\n')).toEqual([
        'Run 1/4 (301 s): passed, 420 tests',
        'Run 2/4 (310 s): FAILED',
        '  test/integration/publishing.spec.ts › publishing waits',
        '      Timed out',
        '  test/e2e/outages.e2e.spec.ts (the whole file)',
        '      Test suite failed to run',
        'Run 3/4 (12 s): FAILED: Jest exited with code 1 and wrote no report',
        'Run 4/4 (300 s): FAILED',
        '  test/integration/publishing.spec.ts › publishing waits',
        '      Timed out',
        '',
        '4 runs with 2 busy processes alongside: 1 passed, 3 failed',
        'Failed tests (in how many runs):',
        '  2/4  test/integration/publishing.spec.ts › publishing waits',
        '  1/4  test/e2e/outages.e2e.spec.ts (the whole file)',
      ]);
    });

    it('says so when every run passed', () => {
      expect(formatStressReport([{ durationMs: 1_000, tests: 3, failures: [] }], 1)).toBe(
        'Run 1/1 (1 s): passed, 3 tests\n\n1 run with 1 busy process alongside: 1 passed, 0 failed',
      );
    });
  });
});
