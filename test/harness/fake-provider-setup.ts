// Runs in Node before the Workers pool starts: the fake AI provider on 127.0.0.1, its URL handed
// to the tests (which run inside workerd) through Vitest's provide/inject.
import type { TestProject } from 'vitest/node';
import { startFakeProvider } from '../fake-provider/server';

export default async function setup(project: TestProject) {
  const fake = await startFakeProvider();
  project.provide('fakeProviderUrl', fake.url);
  return () => fake.close();
}
