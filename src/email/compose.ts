import MailComposer from 'nodemailer/lib/mail-composer';
import { fillPlaceholders } from './placeholders';
import type { CampaignTemplate } from './templates';

export interface ComposeOptions {
  template: CampaignTemplate;
  /** The server's public origin (config publicUrl). */
  baseUrl: string;
  /** The recipient's subscriber token. */
  token: string;
  from: string;
  to?: string;
  /** Defaults to the HTML part's <title>. */
  subject?: string;
  date?: Date;
  headers?: Record<string, string>;
}

export interface ComposedParts {
  subject: string;
  text: string;
  amp: string;
  html: string;
}

/** The three parts of one recipient's message, placeholders filled. */
export function instantiateParts(options: Pick<ComposeOptions, 'template' | 'baseUrl' | 'token' | 'subject'>): ComposedParts {
  const { template } = options;
  const values = { baseUrl: options.baseUrl, token: encodeURIComponent(options.token) };
  const subject = options.subject ?? template.subject;
  if (!subject) {
    throw new Error(`Template "${template.name}" has no <title> in ${template.files.html} to use as the subject; add one or pass --subject.`);
  }
  return {
    subject,
    text: fillPlaceholders(template.text, values, template.files.text),
    amp: fillPlaceholders(template.amp, values, template.files.amp),
    html: fillPlaceholders(template.html, values, template.files.html),
  };
}

/**
 * Builds a complete RFC 5322 message with nodemailer's MIME composer:
 * multipart/alternative with text/plain, text/x-amp-html and text/html in
 * that order. The AMP part comes before the HTML part because some clients
 * render only the last alternative they understand
 * (https://amp.dev/documentation/guides-and-tutorials/learn/email-spec/amp-email-structure/).
 */
export async function composeMessage(options: ComposeOptions): Promise<{ message: Buffer; parts: ComposedParts }> {
  const parts = instantiateParts(options);
  const composer = new MailComposer({
    from: options.from,
    ...(options.to ? { to: options.to } : {}),
    subject: parts.subject,
    date: options.date ?? new Date(),
    text: parts.text,
    amp: parts.amp,
    html: parts.html,
    // Quoted-printable keeps every part readable in the .eml and lines under 78 characters.
    textEncoding: 'quoted-printable',
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const message = await composer.compile().build();
  return { message, parts };
}
