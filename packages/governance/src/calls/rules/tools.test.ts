import { describe, expect, it } from 'vitest';
import { checkTools, toolsNeedingApproval } from './tools.ts';

describe('checkTools', () => {
  it('allows any tools, and calls without tools, when the policy has no tool rules', () => {
    expect(checkTools({}, ['bash', 'web_search'])).toEqual({ allowed: true });
    expect(checkTools({ blocked_tools: ['bash'], allowed_tools: ['read_file'] }, [])).toEqual({ allowed: true });
  });

  it('refuses blocked tools, naming each of them once', () => {
    expect(checkTools({ blocked_tools: ['bash', 'fs_*'] }, ['read', 'bash', 'fs_write', 'bash'])).toEqual({
      allowed: false,
      code: 'tool_blocked',
      status: 403,
      message: "Tools 'bash', 'fs_write' are blocked by this policy (blocked_tools)",
      details: { tools: ['bash', 'fs_write'], rule: 'blocked_tools' },
    });
    expect(checkTools({ blocked_tools: ['bash'] }, ['bash'])).toMatchObject({
      message: "Tool 'bash' is blocked by this policy (blocked_tools)",
    });
  });

  it('refuses tools outside allowed_tools with the same code', () => {
    expect(checkTools({ allowed_tools: ['web_*', 'read_file'] }, ['web_search', 'read_file', 'delete_file'])).toEqual({
      allowed: false,
      code: 'tool_blocked',
      status: 403,
      message: "Tool 'delete_file' is not in this policy's allowed_tools",
      details: { tools: ['delete_file'], rule: 'allowed_tools', allowed_tools: ['web_*', 'read_file'] },
    });
    expect(checkTools({ allowed_tools: ['web_*'] }, ['web_search', 'web_fetch'])).toEqual({ allowed: true });
  });

  it('checks blocked_tools before allowed_tools', () => {
    expect(checkTools({ allowed_tools: ['*'], blocked_tools: ['bash'] }, ['bash'])).toMatchObject({
      details: { rule: 'blocked_tools' },
    });
  });

  it('is case-sensitive', () => {
    expect(checkTools({ blocked_tools: ['bash'] }, ['Bash'])).toEqual({ allowed: true });
  });
});

describe('toolsNeedingApproval', () => {
  it('names the tools require_approval matches, each once, in call order', () => {
    const policy = { require_approval: ['send_*', 'delete_file'] };
    expect(toolsNeedingApproval(policy, ['read_file', 'send_email', 'delete_file', 'send_email', 'send_sms'])).toEqual([
      'send_email',
      'delete_file',
      'send_sms',
    ]);
    expect(toolsNeedingApproval(policy, ['read_file'])).toEqual([]);
  });

  it('needs nothing when require_approval is unset or empty', () => {
    expect(toolsNeedingApproval({}, ['send_email'])).toEqual([]);
    expect(toolsNeedingApproval({ require_approval: [] }, ['send_email'])).toEqual([]);
  });
});
