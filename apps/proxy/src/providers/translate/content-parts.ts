import { isObject, objectField, stringField } from '../json.ts';
import type { JsonObject } from '../types.ts';

/** Media and text content between OpenAI content parts and Anthropic content blocks. */

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** The text of a string content or of its text (and refusal) parts. */
export function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    const text = stringField(part, 'text') ?? stringField(part, 'refusal');
    if (text !== null && (part.type === 'text' || part.type === 'refusal')) texts.push(text);
  }
  return texts;
}

/** An OpenAI user content part as an Anthropic block; null for parts Anthropic cannot take (audio). */
export function anthropicBlockFromPart(part: JsonObject): JsonObject | null {
  switch (stringField(part, 'type')) {
    case 'text': {
      const text = stringField(part, 'text');
      return text ? { type: 'text', text } : null;
    }
    case 'image_url': {
      const image = objectField(part, 'image_url');
      const url = image && stringField(image, 'url');
      if (!url) return null;
      const data = DATA_URL.exec(url);
      return data
        ? { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } }
        : { type: 'image', source: { type: 'url', url } };
    }
    case 'file': {
      const file = objectField(part, 'file');
      const data = DATA_URL.exec((file && stringField(file, 'file_data')) ?? '');
      return data?.[1] === 'application/pdf'
        ? { type: 'document', source: { type: 'base64', media_type: data[1], data: data[2] } }
        : null;
    }
    default:
      return null;
  }
}

/** An Anthropic user block as an OpenAI content part; null for blocks OpenAI cannot take. */
export function openAIPartFromBlock(block: JsonObject): JsonObject | null {
  const source = objectField(block, 'source');
  switch (stringField(block, 'type')) {
    case 'text': {
      const text = stringField(block, 'text');
      return text === null ? null : { type: 'text', text };
    }
    case 'image': {
      const url = source && sourceUrl(source);
      return url ? { type: 'image_url', image_url: { url } } : null;
    }
    case 'document': {
      if (!source || stringField(source, 'type') !== 'base64') return null;
      const url = sourceUrl(source);
      return url
        ? { type: 'file', file: { filename: stringField(block, 'title') ?? 'document.pdf', file_data: url } }
        : null;
    }
    default:
      return null;
  }
}

function sourceUrl(source: JsonObject): string | null {
  if (stringField(source, 'type') === 'url') return stringField(source, 'url');
  if (stringField(source, 'type') !== 'base64') return null;
  const mediaType = stringField(source, 'media_type');
  const data = stringField(source, 'data');
  return mediaType && data ? `data:${mediaType};base64,${data}` : null;
}
