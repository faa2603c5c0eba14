import { expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { auditIdentity, effectiveScope, hasScope, requireScope } from './context.ts';

it('orders scopes read < write < admin', () => {
  const writer = { kind: 'token', tokenId: 't1', scopes: ['read', 'write'] } as const;
  expect(effectiveScope({ ...writer, scopes: [...writer.scopes] })).toBe('write');
  expect(hasScope({ ...writer, scopes: [...writer.scopes] }, 'read')).toBe(true);
  expect(hasScope({ ...writer, scopes: [...writer.scopes] }, 'admin')).toBe(false);
  expect(hasScope({ kind: 'bootstrap' }, 'admin')).toBe(true);
});

it('maps member roles onto scopes', () => {
  const member = (role: 'owner' | 'admin' | 'member' | 'viewer') => ({
    kind: 'member' as const,
    memberId: 'm',
    role,
    email: null,
    sessionId: 's',
  });
  expect(effectiveScope(member('viewer'))).toBe('read');
  expect(effectiveScope(member('member'))).toBe('write');
  expect(effectiveScope(member('owner'))).toBe('admin');
});

it('refuses a missing scope with a forbidden AppError', () => {
  const ctx = { orgId: 'o', actor: { kind: 'token' as const, tokenId: 't', scopes: ['read' as const] } };
  expect(() => requireScope(ctx, 'write')).toThrow(AppError);
  expect(() => requireScope(ctx, 'write')).toThrow(/write/);
});

it('fills audit identities', () => {
  expect(auditIdentity({ kind: 'token', tokenId: 't9', scopes: ['admin'] })).toEqual({
    by: 'token:t9',
    tokenId: 't9',
    memberId: null,
  });
});
