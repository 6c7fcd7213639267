// Reads the code blocks of a Markdown file that follow a marker comment
// `<!-- adoption:<id> -->`, so that the adoption test runs exactly what the README says.
import fs from 'node:fs';

/**
 * Answers `block(id)`: the marked block's language and code. An unknown or unmarked id
 * throws, naming the file and the id; a marker without a block after it throws too.
 */
export function readReadmeBlocks(file) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = new Map();
  const marker =
    /<!--\s*adoption:([\w-]+)\s*-->\s*\n\s*```(\w*)\n([\s\S]*?)\n```/g;
  for (const m of text.matchAll(marker)) {
    if (blocks.has(m[1]))
      throw new Error(`${file}: the marker adoption:${m[1]} is used twice`);
    blocks.set(m[1], { lang: m[2], code: `${m[3]}\n` });
  }
  const markers = [...text.matchAll(/<!--\s*adoption:([\w-]+)\s*-->/g)].map(
    m => m[1],
  );
  for (const id of markers)
    if (!blocks.has(id))
      throw new Error(
        `${file}: the marker adoption:${id} is not followed by a code block`,
      );
  return {
    block(id) {
      const found = blocks.get(id);
      if (!found)
        throw new Error(`${file} has no code block marked adoption:${id}`);
      return found;
    },
  };
}
