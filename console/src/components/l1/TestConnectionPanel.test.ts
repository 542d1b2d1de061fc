import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { TestRun } from '../../stores/l1';
import TestConnectionPanel from './TestConnectionPanel.vue';

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

  it('shows every step waiting, and says so to screen readers, while the test runs', () => {
    const wrapper = mount(TestConnectionPanel, { props: { run: { phase: 'testing', startedAt: Date.now() }, stale: false } });
    expect(new Set(statuses(wrapper).map(([, s]) => s))).toEqual(new Set(['waiting']));
    expect(wrapper.find('[role="status"][aria-live="polite"]').text()).toBe('Testing the connection to your keystore…');
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
});
