import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { packageRoot } from '../package-root';

/** The console's only static files: one stylesheet and one small script (no framework, no bundler). */
const ASSETS = { 'console.css': 'text/css; charset=utf-8', 'console.js': 'text/javascript; charset=utf-8' } as const;
export type ConsoleAssetName = keyof typeof ASSETS;

interface LoadedAsset {
  bytes: Buffer;
  type: string;
  /** The file name with a content hash, "console.3f9a1c2b.css": a new version is a new URL, so the old one may be cached forever. */
  hashedName: string;
}

let loaded: Map<string, LoadedAsset> | undefined;

function assets(): Map<string, LoadedAsset> {
  if (loaded) return loaded;
  loaded = new Map();
  for (const [name, type] of Object.entries(ASSETS)) {
    const bytes = fs.readFileSync(path.join(packageRoot(), 'src', 'console', 'assets', name));
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
    const dot = name.lastIndexOf('.');
    const hashedName = `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
    loaded.set(hashedName, { bytes, type, hashedName });
    loaded.set(name, { bytes, type, hashedName });
  }
  return loaded;
}

/** The URL the layout links: /console/assets/console.<hash>.css. */
export function assetUrl(name: ConsoleAssetName): string {
  return `/console/assets/${(assets().get(name) as LoadedAsset).hashedName}`;
}

/** GET /console/assets/:file — hashed names are immutable for a year; others (old links) must revalidate. */
export const serveConsoleAsset: RequestHandler = (req, res, next) => {
  const file = String(req.params.file);
  const asset = assets().get(file);
  if (!asset) return next();
  res.setHeader('Content-Type', asset.type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', file === asset.hashedName ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.end(asset.bytes);
};
