import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { ConnectionTestStep, DiagnosticStep } from '../../api';
import type { TestRun } from '../../stores/l1';
import TestConnectionPanel from './TestConnectionPanel.vue';

const STEPS: DiagnosticStep[] = ['reachable', 'authenticated', 'key-exists', 'enabled', 'usage', 'round-trip'];

const statuses = (wrapper: ReturnType<typeof mount>) =>
  wrapper.findAll('li[data-step]').map((li) => [li.attributes('data-step'), li.attributes('data-status')]);

describe('TestConnectionPanel', () => {
  it('lists the six steps as not run before a test', () => {
    const wrapper = mount(TestConnectionPanel, { props: { run: { phase: 'idle' }, stale: false } });
    expect(statuses(wrapper)).toEqual([
      ['reachable', 'not-run'],
      ['authenticated', 'not-run'],
      ['key-exists', 'not-run'],
      ['enabled', 'not-run'],
      ['usage', 'not-run'],
      ['round-trip', 'not-run'],
    ]);
    expect(wrapper.text()).toContain('Not tested yet');
  });

  it('while the test starts, shows the first step under way and the others waiting, and says so to screen readers', () => {
    const wrapper = mount(TestConnectionPanel, { props: { run: { phase: 'testing', startedAt: Date.now() }, stale: false } });
    expect(statuses(wrapper).map(([, s]) => s)).toEqual(['running', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
    expect(wrapper.get('li[data-step="reachable"]').text()).toContain('Checking…');
    expect(wrapper.find('[role="status"][aria-live="polite"]').text()).toBe('Testing the connection to your keystore…');
    expect(wrapper.findAll('[role="log"] li')).toHaveLength(0);
    wrapper.unmount();
  });

  it('renders each step as it lands and announces each one once, in order', async () => {
    const pending = (step: DiagnosticStep) => ({ step, status: 'pending' as const });
    const run = (steps: ConnectionTestStep[]): TestRun => ({ phase: 'testing', startedAt: Date.now(), steps });
    const wrapper = mount(TestConnectionPanel, {
      props: { run: run([{ step: 'reachable', status: 'passed', message: 'kms.eu-central-1.amazonaws.com answered (HTTP 400)', durationMs: 31 }, ...STEPS.slice(1).map(pending)]), stale: false },
    });
    expect(statuses(wrapper).map(([, s]) => s)).toEqual(['passed', 'running', 'waiting', 'waiting', 'waiting', 'waiting']);
    expect(wrapper.get('li[data-step="reachable"]').text()).toContain('kms.eu-central-1.amazonaws.com answered (HTTP 400)');
    const log = () => wrapper.get('[role="log"]');
    expect(log().attributes('aria-live')).toBe('polite');
    expect(log().attributes('aria-relevant')).toBe('additions');
    expect(log().findAll('li').map((li) => li.text())).toEqual(['Keystore reachable: Passed — kms.eu-central-1.amazonaws.com answered (HTTP 400)']);
    const first = log().find('li').element;

    await wrapper.setProps({
      run: run([
        { step: 'reachable', status: 'passed', message: 'kms.eu-central-1.amazonaws.com answered (HTTP 400)', durationMs: 31 },
        { step: 'authenticated', status: 'failed', message: 'KMS says UnrecognizedClientException', durationMs: 80 },
        ...STEPS.slice(2).map((step) => ({ step, status: 'skipped' as const, message: 'skipped because authenticated failed', durationMs: 0 })),
      ]),
    });
    expect(statuses(wrapper).map(([, s]) => s)).toEqual(['passed', 'failed', 'skipped', 'skipped', 'skipped', 'skipped']);
    const entries = log().findAll('li');
    expect(entries).toHaveLength(6);
    expect(entries[1]?.text()).toBe('Authenticated: Failed — KMS says UnrecognizedClientException');
    // The first announcement is the same element: a screen reader does not read it again.
    expect(entries[0]?.element).toBe(first);
    wrapper.unmount();
  });

  it('renders passed, failed and skipped steps with the exact reason and duration', () => {
    const run: TestRun = {
      phase: 'done',
      result: {
        ok: false,
        failedStep: 'authenticated',
        steps: [
          { step: 'reachable', status: 'passed', message: 'TLS handshake ok', durationMs: 12 },
          { step: 'authenticated', status: 'failed', message: 'C_Login failed: CKR_PIN_INCORRECT', durationMs: 48 },
          { step: 'key-exists', status: 'skipped', message: 'Skipped because an earlier step failed.', durationMs: 0 },
          { step: 'enabled', status: 'skipped', message: 'Skipped because an earlier step failed.', durationMs: 0 },
          { step: 'usage', status: 'skipped', message: 'Skipped because an earlier step failed.', durationMs: 0 },
        ],
      },
    };
    const wrapper = mount(TestConnectionPanel, { props: { run, stale: false } });
    expect(statuses(wrapper)).toEqual([
      ['reachable', 'passed'],
      ['authenticated', 'failed'],
      ['key-exists', 'skipped'],
      ['enabled', 'skipped'],
      ['usage', 'skipped'],
      // Not reported by the API: still shown, as skipped.
      ['round-trip', 'skipped'],
    ]);
    const failed = wrapper.get('li[data-step="authenticated"]');
    expect(failed.text()).toContain('Failed');
    expect(failed.text()).toContain('C_Login failed: CKR_PIN_INCORRECT');
    expect(failed.text()).toContain('48 ms');
    expect(wrapper.get('[data-testid="test-summary"]').text()).toContain('Failed at “Authenticated”');
    expect(wrapper.find('[role="status"]').text()).toBe('Connection test failed at “Authenticated”: C_Login failed: CKR_PIN_INCORRECT');
  });

  it('says when the form changed since the test', () => {
    const run: TestRun = { phase: 'done', result: { ok: true, steps: [] } };
    const wrapper = mount(TestConnectionPanel, { props: { run, stale: true } });
    expect(wrapper.find('[data-testid="test-stale"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('All checks passed');
  });

  it('shows an error that kept the test from running', async () => {
    const { ApiError } = await import('../../api');
    const wrapper = mount(TestConnectionPanel, { props: { run: { phase: 'error', error: new ApiError(503, 'unavailable', 'Temporal is not reachable') }, stale: false } });
    expect(wrapper.text()).toContain('The test could not run');
    expect(wrapper.text()).toContain('Temporal is not reachable');
  });

  it('keeps the steps a test reported before it could not go on', async () => {
    const { ApiError } = await import('../../api');
    const run: TestRun = {
      phase: 'error',
      error: new ApiError(502, 'test_failed', 'the test timed out'),
      steps: [{ step: 'reachable', status: 'passed', message: 'up', durationMs: 5 }, ...STEPS.slice(1).map((step) => ({ step, status: 'pending' as const }))],
    };
    const wrapper = mount(TestConnectionPanel, { props: { run, stale: false } });
    expect(statuses(wrapper).map(([, s]) => s)).toEqual(['passed', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run']);
    expect(wrapper.text()).toContain('the test timed out');
  });
});
