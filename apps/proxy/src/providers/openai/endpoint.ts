/** OpenAI-compatible base URLs include the version segment, as the official SDK takes them. */
export function openAIUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

/** No client header is forwarded: OpenAI's optional ones (organization, project) belong to the key. */
export function openAIHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
}
