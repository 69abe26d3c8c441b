// Scoring reads the shared definition facts (src/app/definition-facts.ts); kept for its existing importers.
export * from '../definition-facts.ts';
