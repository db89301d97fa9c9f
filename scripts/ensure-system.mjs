// Makes sure the system tools the tests need are present: a Chromium for Playwright, `ip` plus
// `iptables` for the network-namespace suite, `nft`, `conntrack`, coturn's `turnserver` and
// `openssl` for its NAT topology, and Firefox ESR for its Firefox peers (driven by
// puppeteer-core, which never downloads a browser). Installs them with apt-get when missing and
// we are root on Debian/Ubuntu; otherwise says exactly what to install. `--no-browser` skips
// the browser check (the demo needs none).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wantBrowser = !process.argv.includes('--no-browser');
const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');

/** @param {string} command */
function has(command) {
  // nft and conntrack live in /usr/sbin, which a non-root PATH often lacks.
  if (['/usr/sbin', '/sbin'].some((dir) => existsSync(`${dir}/${command}`))) return true;
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function playwrightHasChromium() {
  try {
    const out = execFileSync(
      process.execPath,
      ['-e', "console.log(require('playwright-core').chromium.executablePath())"],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    return out !== '' && existsSync(out);
  } catch {
    return false;
  }
}

/** @type {{ pkg: string; why: string }[]} */
const missing = [];
if (
  wantBrowser &&
  !process.env.CHROMIUM_PATH &&
  !existsSync('/usr/bin/chromium') &&
  !playwrightHasChromium()
) {
  missing.push({ pkg: 'chromium', why: 'a Chromium for the Playwright tests' });
}
if (wantBrowser && process.platform === 'linux') {
  if (!has('ip'))
    missing.push({ pkg: 'iproute2', why: '`ip netns` for the network-failure suite' });
  if (!has('iptables'))
    missing.push({ pkg: 'iptables', why: 'cutting the network in the network-failure suite' });
  /** @type {[tool: string, pkg: string, why: string][]} */
  const natTools = [
    ['nft', 'nftables', 'the home routers’ NAT in the NAT topology'],
    ['conntrack', 'conntrack', 'the “NAT state lost” fault'],
    ['turnserver', 'coturn', 'the STUN/TURN servers of the NAT topology'],
    ['openssl', 'openssl', 'the TURN servers’ self-signed TLS certificate'],
  ];
  for (const [tool, pkg, why] of natTools) {
    if (!has(tool)) missing.push({ pkg, why });
  }
  if (!process.env.FIREFOX_PATH && !existsSync('/usr/bin/firefox-esr'))
    missing.push({ pkg: 'firefox-esr', why: 'the Firefox peers of the network-failure suite' });
}

if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg);
  if (isRoot && hasApt) {
    console.log(
      `Installing ${pkgs.join(', ')} with apt-get (${missing.map((m) => m.why).join('; ')})…`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install =
      update.status === 0 &&
      spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
    if (!install || install.status !== 0) {
      console.error(`apt-get could not install ${pkgs.join(' ')}.`);
      process.exit(1);
    }
  } else {
    console.error('Missing system packages:');
    for (const m of missing) console.error(`  ${m.pkg}: ${m.why}`);
    console.error(
      hasApt
        ? `Install them with: sudo apt-get install ${pkgs.join(' ')}`
        : 'Install Chromium (or run `npx playwright install chromium`), and on Linux iproute2, iptables, nftables, conntrack, coturn and openssl.',
    );
    if (missing.some((m) => m.pkg === 'chromium')) process.exit(1);
    console.error(
      'What needs them will be skipped (RP_REQUIRE_NETNS=1 or RP_REQUIRE_FIREFOX=1 makes that a failure).',
    );
  }
}
