import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Read from disk: vitest hands CSS imports (even ?raw) to tests as empty strings, and under
// happy-dom import.meta.url is not a file URL. Tests run from the repository root or console/.
const tokensFile = ['console/src/styles/tokens.css', 'src/styles/tokens.css'].map((p) => path.resolve(p)).find((p) => existsSync(p));
const tokens = tokensFile ? readFileSync(tokensFile, 'utf8') : '';

/** The design tokens' colour pairs meet WCAG AA for normal text (4.5:1). */
function colour(name: string): string {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(tokens);
  if (!match?.[1]) throw new Error(`no token --${name}`);
  return match[1];
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const PAIRS: [string, string][] = [
  ['color-text', 'color-bg'],
  ['color-text', 'color-surface'],
  ['color-text-muted', 'color-surface'],
  ['color-text-muted', 'color-bg'],
  ['color-text-muted', 'color-surface-sunken'],
  ['color-primary', 'color-surface'],
  ['color-primary', 'color-bg'],
  ['color-primary-hover', 'color-primary-soft'],
  ['color-on-primary', 'color-primary'],
  ['color-on-primary', 'color-primary-hover'],
  ['color-success', 'color-success-soft'],
  ['color-danger', 'color-danger-soft'],
  ['color-danger', 'color-surface'],
  ['color-warning', 'color-warning-soft'],
  ['color-info', 'color-info-soft'],
  ['color-neutral', 'color-neutral-soft'],
  ['shell-header-text', 'shell-header-bg'],
  ['color-code-text', 'color-code-bg'],
  ['color-text', 'color-danger-soft'],
  ['color-text', 'color-warning-soft'],
];

describe('colour contrast of the design tokens', () => {
  it.each(PAIRS)('%s on %s is at least 4.5:1', (fg, bg) => {
    expect(contrast(colour(fg), colour(bg))).toBeGreaterThanOrEqual(4.5);
  });
});
