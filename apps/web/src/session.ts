import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'rungate.adminToken';

export interface Session {
  token: string | null;
  /** Why the user was sent back to sign-in, shown there once. */
  notice: string | null;
}

function readStoredToken(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (private mode, policies); the dashboard then asks for the token each visit.
    return null;
  }
}

let session: Session = { token: readStoredToken(), notice: null };
const listeners = new Set<() => void>();

function update(next: Session): void {
  session = next;
  for (const listener of listeners) listener();
}

export function getToken(): string | null {
  return session.token;
}

export function signIn(token: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Kept in memory only; see readStoredToken.
  }
  update({ token, notice: null });
}

export function signOut(notice: string | null = null): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
  update({ token: null, notice });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  return useSyncExternalStore(subscribe, () => session);
}
