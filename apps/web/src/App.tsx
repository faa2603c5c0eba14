import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from './components/Link.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { AgentEditPage } from './pages/AgentEditPage.tsx';
import { AgentsPage } from './pages/AgentsPage.tsx';
import { PoliciesPage } from './pages/PoliciesPage.tsx';
import { PolicyEditPage } from './pages/PolicyEditPage.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { usePath } from './router.ts';
import { signOut, useSession } from './session.ts';
import { queryClient, useTRPC } from './trpc.ts';

export function App() {
  const { token, notice } = useSession();
  // Nothing fetched with one token may be shown to the next.
  useEffect(() => {
    if (!token) queryClient.clear();
  }, [token]);
  return token ? <Shell /> : <SignIn notice={notice} />;
}

const NAV = [
  { to: '/agents', label: 'Agents' },
  { to: '/policies', label: 'Policies' },
  { to: '/account', label: 'Account' },
];

function Shell() {
  const path = usePath();
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const section = path === '/' ? '/agents' : `/${path.split('/')[1] ?? ''}`;

  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/agents" className="brand">
          Rungate
        </Link>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} aria-current={section === item.to ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-end">
          {account.data && <span className="muted">{account.data.name}</span>}
          <button type="button" className="button-ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">
        <Screen path={path} />
      </main>
    </div>
  );
}

function Screen({ path }: { path: string }) {
  const [, section, id, ...rest] = path.split('/');
  if (rest.length > 0) return <NotFound />;
  if (!section || (section === 'agents' && !id)) return <AgentsPage />;
  if (section === 'agents' && id) return <AgentEditPage key={id} id={id} />;
  if (section === 'policies' && !id) return <PoliciesPage />;
  if (section === 'policies' && id) return <PolicyEditPage key={id} id={id} />;
  if (section === 'account' && !id) return <AccountPage />;
  return <NotFound />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="/agents">Go to agents</Link>
      </p>
    </section>
  );
}
