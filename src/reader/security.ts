/**
 * Response headers every reader response carries: a strict Content-Security-Policy (no inline
 * script or style, no third-party request unless images are allowed from the Wayback Machine),
 * no MIME sniffing, no referrer.
 */
import { IMAGE_ORIGIN } from './markdown-html.js';

/**
 * The policy. JSON-LD blocks are data, not script, so `script-src 'self'` does not need to allow
 * them (CSP3 §4.2.3 applies script-src only to executable script types).
 */
export function contentSecurityPolicy(loadImages: boolean, { forMeta = false }: { forMeta?: boolean } = {}): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    `img-src 'self'${loadImages ? ` ${IMAGE_ORIGIN}` : ''}`,
    "script-src 'self'",
    // The static export's client search fetches its index shards from the same origin.
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    // A <meta> policy cannot set frame-ancestors (CSP3 §6.1.3: ignored there, with a warning).
    ...(forMeta ? [] : ["frame-ancestors 'none'"]),
  ].join('; ');
}

export function securityHeaders(loadImages: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(loadImages),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
