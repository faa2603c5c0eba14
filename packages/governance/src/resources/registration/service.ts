import type { RegisterAccountInput, RegisteredAccount } from '@rungate/contracts';
import type { ServiceDeps } from '../../deps.ts';
import { AppError, invalid } from '../../errors.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AdminTokenService } from '../admin-tokens/service.ts';
import type { AgentService } from '../agents/service.ts';
import { insertDefaultPolicy } from '../policies/store.ts';
import { slugCandidate, slugFromName } from './slug.ts';

const ATTEMPTS_PER_HOUR = 10;
const HOUR_MS = 3_600_000;
const SLUG_CANDIDATES = 20;

interface Collaborators {
  accounts: AccountService;
  adminTokens: AdminTokenService;
  agents: AgentService;
}

/** Self-service sign-up: account, admin token, default policy and default agent, all or nothing. */
export function createRegistrationService(deps: ServiceDeps, { accounts, adminTokens, agents }: Collaborators) {
  const attemptsByIp = new Map<string, number[]>();

  /** Sliding one-hour window per client address, kept in process (sign-ups are rare). */
  function admit(ip: string, nowMs: number): void {
    const recent = (attemptsByIp.get(ip) ?? []).filter((t) => nowMs - t < HOUR_MS);
    if (recent.length >= ATTEMPTS_PER_HOUR) {
      attemptsByIp.set(ip, recent);
      throw new AppError('rate_limited', 'Too many registrations from this address; try again later');
    }
    recent.push(nowMs);
    attemptsByIp.set(ip, recent);
  }

  async function chooseSlug(input: RegisterAccountInput): Promise<string> {
    if (input.slug) {
      if (await accounts.slugTaken(input.slug))
        throw invalid('This slug is taken', { slug: `'${input.slug}' is already taken` });
      return input.slug;
    }
    const base = slugFromName(input.name);
    for (let n = 1; n <= SLUG_CANDIDATES; n++) {
      const candidate = slugCandidate(base, n);
      if (!(await accounts.slugTaken(candidate))) return candidate;
    }
    throw invalid('Could not derive a free slug from the name; pass one', { slug: 'Choose a slug' });
  }

  return {
    async register(input: RegisterAccountInput, client: { ip: string }): Promise<RegisteredAccount['data']> {
      admit(client.ip, deps.clock.now().getTime());
      const slug = await chooseSlug(input);
      const audit = { by: 'registration', tokenId: null, memberId: null };
      return deps.db.transaction(async (tx) => {
        const account = await accounts.insert(tx, { name: input.name, slug });
        const { secret } = await adminTokens.issue(tx, account.id, { name: 'default', scopes: ['admin'] }, audit.by);
        const policy = await insertDefaultPolicy(tx, account.id, audit, deps.clock.now());
        const { agent, apiKey } = await agents.insertAgent(
          tx,
          account.id,
          { name: input.agent_name ?? slug, policyId: policy.id },
          audit,
        );
        return {
          account: { id: account.id, slug: account.slug, name: account.name, tier: account.tier },
          admin_token: secret,
          agent: { id: agent.id, name: agent.name, api_key: apiKey },
          policy: { id: policy.id, name: policy.name },
          _note: 'Save admin_token and agent.api_key now: they are shown only once.',
        };
      });
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
