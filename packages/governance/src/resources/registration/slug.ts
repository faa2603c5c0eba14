import { reservedSlugs } from '@rungate/contracts';

const MAX = 50;

/** `Acme Corp!` -> `acme-corp`; short or reserved results get a suffix so they stay valid. */
export function slugFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX)
    .replace(/-+$/, '');
  if (base.length >= 3 && !reservedSlugs.has(base)) return base;
  return base ? `${base}-org` : 'org';
}

/** The n-th alternative for a taken slug: `acme`, `acme-2`, `acme-3`, ... within 50 characters. */
export function slugCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}
