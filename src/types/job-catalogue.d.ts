// Brings the job catalogue's GraphileWorker.Tasks declaration into every program that type-checks
// src/storage/jobs.repo.ts (the web project reaches some app files through the API contract).
export type { JobName } from '../jobs/catalogue.ts';
