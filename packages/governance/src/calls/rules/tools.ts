import type { Policy } from '@rungate/contracts';
import { ALLOWED, block, type Decision } from './decision.ts';
import { firstMatch } from './glob.ts';

export type ToolRules = Pick<Policy, 'allowed_tools' | 'blocked_tools'>;

/**
 * Tool rules over every tool name of a call: those offered in the request's `tools` and those
 * called in its conversation (the caller extracts both). `blocked_tools` is checked first; an
 * empty `allowed_tools` allows every tool. All offending tools are named, not just the first,
 * so an agent can drop them in one retry. Both refusals use the spec's code `tool_blocked`.
 */
export function checkTools(policy: ToolRules, toolNames: readonly string[]): Decision {
  const names = unique(toolNames);

  const blocked = names.filter((name) => firstMatch(policy.blocked_tools, name) !== undefined);
  if (blocked.length > 0) {
    return block('tool_blocked', `${named(blocked)} blocked by this policy (blocked_tools)`, {
      tools: blocked,
      rule: 'blocked_tools',
    });
  }

  const allowed = policy.allowed_tools ?? [];
  if (allowed.length > 0) {
    const outside = names.filter((name) => firstMatch(allowed, name) === undefined);
    if (outside.length > 0) {
      return block('tool_blocked', `${named(outside)} not in this policy's allowed_tools`, {
        tools: outside,
        rule: 'allowed_tools',
        allowed_tools: allowed,
      });
    }
  }
  return ALLOWED;
}

/** The tools of a call that `require_approval` names (globs), each once, in the call's order. */
export function toolsNeedingApproval(policy: Pick<Policy, 'require_approval'>, toolNames: readonly string[]): string[] {
  const patterns = policy.require_approval;
  if (!patterns || patterns.length === 0) return [];
  return unique(toolNames).filter((name) => firstMatch(patterns, name) !== undefined);
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** "Tool 'a' is" / "Tools 'a', 'b' are", for messages an agent reads. */
function named(names: readonly string[]): string {
  const list = names.map((name) => `'${name}'`).join(', ');
  return names.length === 1 ? `Tool ${list} is` : `Tools ${list} are`;
}
