import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../server/config.js';
import { ERRORS } from '../../server/errors.js';

// The README is the front door: what it documents must match what the code does.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every environment variable', () => {
    for (const name of Object.keys(ConfigSchema.properties)) expect(readme, name).toContain(`\`${name}\``);
  });

  it('documents every error code', () => {
    for (const code of Object.keys(ERRORS)) expect(readme, code).toContain(`\`${code}\``);
  });

  it('names the two commands: one for the demo, one for the tests', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
