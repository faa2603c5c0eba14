import { describe, expect, it } from 'vitest';
import { isPrivateAddress, PrivateAddressError, publicOnlyLookup } from './private-addresses.ts';
import { receiverUrlProblem } from './receiver-url.ts';

describe('private addresses', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '224.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700:4700::1111', 'example.com', 'localhost'])(
    '%s is not a private IP literal',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses a hostname once it resolves to a loopback address', async () => {
    const error = await new Promise<unknown>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(error).toBeInstanceOf(PrivateAddressError);
    expect((error as Error).message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
  });
});

describe('receiver URLs', () => {
  it('accepts http and https URLs, private ones too unless blocked', () => {
    for (const url of ['https://hooks.example.com/rungate', 'http://10.0.0.5:8080/in', 'http://localhost:3000/hook']) {
      expect(receiverUrlProblem(url, false)).toBeNull();
    }
    expect(receiverUrlProblem('https://hooks.example.com/rungate', true)).toBeNull();
  });

  it('refuses malformed URLs, other schemes and embedded credentials', () => {
    expect(receiverUrlProblem('not a url', false)).toMatch(/absolute/);
    expect(receiverUrlProblem('ftp://example.com/x', false)).toMatch(/http/);
    expect(receiverUrlProblem('javascript:alert(1)', false)).toMatch(/http/);
    expect(receiverUrlProblem('https://user:pw@example.com/', false)).toMatch(/credentials/);
  });

  it('refuses loopback, private and link-local receivers when the operator blocks them', () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://2130706433/',
      'http://[::1]:8080/',
      'http://192.168.0.10/',
      'http://169.254.169.254/latest',
      'http://localhost:3000/',
      'http://api.localhost/',
    ]) {
      expect(receiverUrlProblem(url, true), url).toMatch(/not allowed/);
    }
  });
});
