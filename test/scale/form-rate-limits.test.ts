import type { Redis } from 'ioredis';
import { formRateLimits } from '../../src/forms/form-rate-limits';
import { connectRedis } from '../../src/scale-out/redis-connection';

/**
 * The forms' abuse limits on the Redis nodes share (OPENTIME_REDIS_URL): two
 * processes (two limiters on two connections) count one reader together, so
 * a limit holds however the load balancer spreads the submissions.
 */
describe('form rate limits on Redis', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const client of clients) await client.quit();
  });

  it('two processes share one count per token; another token has its own', async () => {
    const url = process.env.OPENTIME_TEST_REDIS_URL as string;
    const a = await connectRedis(url, { purpose: 'test' });
    const b = await connectRedis(url, { purpose: 'test' });
    clients.push(a, b);
    const limits = { perTokenPerMinute: 3, perAddressPerMinute: 1000 };
    const nodeA = formRateLimits(limits, a);
    const nodeB = formRateLimits(limits, b);
    const token = `campaign\u0000reader-${Date.now()}`;
    expect(await nodeA.consume({ token })).toBeUndefined();
    expect(await nodeB.consume({ token })).toBeUndefined();
    expect(await nodeA.consume({ token })).toBeUndefined();
    const wait = await nodeB.consume({ token });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await nodeB.consume({ token: `${token}-other` })).toBeUndefined();
  });
});
