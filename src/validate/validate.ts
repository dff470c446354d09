import fs from 'node:fs';
import path from 'node:path';
import type { BlockCatalog } from '../blocks/blocks-config';
import type { FormsCatalog } from '../forms/forms-config';
import { AMP_SUFFIX, listTemplates, templateFilesFor, type TemplateFiles } from '../email/templates';
import { ampForEngine, checkTemplate, type Finding } from './checks';
import type { AmpEngine } from './engine';

export interface ValidateOptions {
  blocks: BlockCatalog;
  /** The forms config the templates' amp-forms post to; default: none. */
  forms?: FormsCatalog;
  engine: AmpEngine;
  /** Base URL emails will carry, for the size estimate. */
  publicUrl?: string;
  /** Paths in messages are relative to this directory. */
  cwd?: string;
}

export interface TemplateReport {
  name: string;
  files: TemplateFiles;
  findings: Finding[];
}

export interface ValidationReport {
  engine: string;
  templates: TemplateReport[];
  errors: number;
  warnings: number;
}

export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * Turns command-line targets into templates: a directory means every
 * <name>.amp.html in it; a file means the template it belongs to (its AMP,
 * HTML or text part). A template named twice is validated once.
 */
export function resolveTargets(targets: readonly string[], cwd: string = process.cwd()): TemplateFiles[] {
  const byAmpPath = new Map<string, TemplateFiles>();
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new TargetError(`${target}: no such file or directory.`);
    }
    const found: TemplateFiles[] = [];
    if (stat.isDirectory()) {
      for (const name of listTemplates(absolute)) found.push(templateFilesFor(path.join(absolute, `${name}${AMP_SUFFIX}`)) as TemplateFiles);
      if (found.length === 0) throw new TargetError(`${target}: no <name>${AMP_SUFFIX} templates in this directory.`);
    } else {
      const files = templateFilesFor(absolute);
      if (!files) throw new TargetError(`${target}: not a template part. Expected <name>${AMP_SUFFIX}, <name>.html or <name>.txt.`);
      if (!fs.existsSync(files.amp)) throw new TargetError(`${target}: its AMP part ${path.relative(cwd, files.amp) || files.amp} does not exist.`);
      found.push(files);
    }
    for (const files of found) byAmpPath.set(files.amp, files);
  }
  return [...byAmpPath.values()];
}

const readIfExists = (file: string): string | null => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null);

function bySourcePosition(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}

export function validateTemplate(files: TemplateFiles, options: ValidateOptions): TemplateReport {
  const cwd = options.cwd ?? process.cwd();
  const shown = (file: string): string => path.relative(cwd, file) || file;
  const amp = fs.readFileSync(files.amp, 'utf8');
  const findings = checkTemplate(
    { ampFile: shown(files.amp), htmlFile: shown(files.html), textFile: shown(files.text), amp, html: readIfExists(files.html), text: readIfExists(files.text) },
    { blocks: options.blocks, forms: options.forms, publicUrl: options.publicUrl },
  );
  const engineFindings: Finding[] = options.engine.validateAmp4Email(ampForEngine(amp)).map((message) => ({
    file: shown(files.amp),
    line: message.line,
    col: message.col,
    severity: message.severity,
    message: message.message,
    specUrl: message.specUrl,
    rule: 'amp',
  }));
  // Both we and the engine refuse !important; say it once, in the engine's words.
  const importantLines = new Set(engineFindings.filter((finding) => /!important/i.test(finding.message)).map((finding) => finding.line));
  const own = findings.filter((finding) => !(finding.rule === 'important' && finding.file === shown(files.amp) && importantLines.has(finding.line)));
  return { name: files.name, files, findings: [...engineFindings, ...own].sort(bySourcePosition) };
}

export function validateTemplates(templates: readonly TemplateFiles[], options: ValidateOptions): ValidationReport {
  const reports = templates.map((files) => validateTemplate(files, options));
  const all = reports.flatMap((report) => report.findings);
  return {
    engine: options.engine.description,
    templates: reports,
    errors: all.filter((finding) => finding.severity === 'error').length,
    warnings: all.filter((finding) => finding.severity === 'warning').length,
  };
}

export function formatFinding(finding: Finding): string {
  const spec = finding.specUrl ? ` (${finding.specUrl})` : '';
  return `${finding.file}:${finding.line}:${finding.col}: ${finding.severity}: ${finding.message}${spec}`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export function formatReport(report: ValidationReport): string {
  const lines = report.templates.flatMap((template) => template.findings.map(formatFinding));
  const names = report.templates.map((template) => template.name).join(', ');
  const verdict = report.errors > 0 ? 'FAIL' : 'PASS';
  lines.push(
    `${verdict}: ${plural(report.templates.length, 'template')} (${names}), ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}. AMP4EMAIL engine: ${report.engine}.`,
  );
  return `${lines.join('\n')}\n`;
}
