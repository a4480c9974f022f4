/**
 * Builds the console's static assets from source with esbuild: `app.js` (one ES module bundle of
 * infra/console/src + shared/console/view), `app.css` (shared/console/view/styles.ts, also inlined by the HTML report) and `index.html` (copied). Nothing is fetched: the build
 * works offline on a clean clone, and the same source always gives the same bytes.
 *
 *   npm run build:console            writes infra/console/dist/ (what the CDK stack uploads)
 *   buildConsoleAssets()             the same files in memory (what the local server serves)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { CONSOLE_CSS } from '../../shared/console/view/styles.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Asset {
  body: Buffer;
  contentType: string;
}

export const CONSOLE_DIST = path.join(here, 'dist');

let cached: Promise<Map<string, Asset>> | undefined;

/** The console's files by URL path (`/index.html`, `/app.js`, `/app.css`), built once per process. */
export function buildConsoleAssets(): Promise<Map<string, Asset>> {
  cached ??= buildOnce().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function buildOnce(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: [path.join(here, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error('esbuild produced no output for the console');
  const assets = new Map<string, Asset>();
  assets.set('/app.js', { body: Buffer.from(js.contents), contentType: 'text/javascript; charset=utf-8' });
  assets.set('/app.css', { body: Buffer.from(CONSOLE_CSS, 'utf8'), contentType: 'text/css; charset=utf-8' });
  assets.set('/index.html', {
    body: await readFile(path.join(here, 'static/index.html')),
    contentType: 'text/html; charset=utf-8',
  });
  return assets;
}

/** Writes the assets to `dir` (default infra/console/dist). */
export async function writeConsoleAssets(dir = CONSOLE_DIST): Promise<string[]> {
  const assets = await buildConsoleAssets();
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, asset] of assets) {
    const file = path.join(dir, name.slice(1));
    await writeFile(file, asset.body);
    written.push(file);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await writeConsoleAssets(process.argv[2] ? path.resolve(process.argv[2]) : CONSOLE_DIST);
  for (const f of files) process.stdout.write(`${path.relative(process.cwd(), f)}\n`);
}
