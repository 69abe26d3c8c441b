import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../../src/app/context.ts';
import { setTeam } from '../../src/app/handoff/routing-config.ts';
import { changeUser } from '../../src/app/workspaces.ts';
import { must } from '../helpers/test-app.ts';
import type { seedWebWorkspace } from './seed-web.ts';

type Seed = Awaited<ReturnType<typeof seedWebWorkspace>>;

/** On top of the web seed: the reps work in team Mid-market, managed by the sales manager; Enterprise exists, without a calendar. */
export async function seedSettings(deps: AppDeps, seed: Seed) {
  const ws = seed.workspace.id;
  for (const user of [seed.users.sales, seed.users.sales2, seed.users.manager]) must(await changeUser(deps, ws, user.id, { team: 'Mid-market' }));
  must(await setTeam(deps, ws, { name: 'Mid-market', calendar: null, managerId: seed.users.manager.id }));
  must(await setTeam(deps, ws, { name: 'Enterprise', calendar: null, managerId: null }));
}

export type Received = { path: string; headers: Record<string, string | string[] | undefined>; body: string };

/** A real HTTP receiver on 127.0.0.1:<free port>; it answers 200 and a short body, and records every request. */
export async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('<b>ok</b>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/leadloop`,
    received,
    close: async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); },
  };
}
