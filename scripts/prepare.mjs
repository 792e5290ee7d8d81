/* global URL, console, process */
// npm's prepare hook. In a source checkout with the dev toolchain it builds the server and the UI. Without
// the toolchain (`npm ci --omit=dev`, or installing the packed tarball, which already holds dist/ and
// ui/dist/) there is nothing to build with: an already built tree is used as it is, and an unbuilt one is
// refused with what to do, instead of npm's bare "tsc: not found".
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const hasToolchain = (() => {
  try {
    require.resolve('typescript');
    require.resolve('vite');
    return true;
  } catch {
    return false;
  }
})();
const built = existsSync(new URL('../dist/server/main.js', import.meta.url)) &&
  existsSync(new URL('../ui/dist/index.html', import.meta.url));

if (hasToolchain) {
  execSync('npm run build', { stdio: 'inherit' });
} else if (built) {
  console.log('skein: no dev toolchain here; using the built dist/ and ui/dist/ as they are');
} else {
  console.error(
    'skein: this source checkout is not built and has no dev toolchain (installed with --omit=dev).\n' +
      'Either run `npm ci` (with dev dependencies) and `npm run build` first, or install the packed\n' +
      'package (`npm pack` in a full checkout, then `npm install --omit=dev skein-<version>.tgz`).',
  );
  process.exit(1);
}
