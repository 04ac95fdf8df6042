// Test hosts on one private link, each in a network namespace of its own (iproute2, as root): a
// bridge in a namespace of its own, one veth pair per host, one address each in 10.250.0.0/24,
// which exists only inside these namespaces. Names carry a per-run suffix; destroy() stops every
// process started in them (by pid) and deletes every namespace made, also after a failure.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';

const SUBNET = '10.250.0';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export class TestNetwork {
  readonly #suffix = randomBytes(2).toString('hex');
  readonly #namespaces: string[] = [];
  readonly #hosts = new Map<string, { ns: string; address: string; link: string }>();
  readonly #processes: ChildProcess[] = [];

  /** Hosts by name and the last byte of their address. */
  constructor(hosts: Record<string, number>) {
    const bridge = this.#namespace('switch');
    try {
      ip('-n', bridge, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', bridge, 'link', 'set', 'br0', 'up');
      for (const [name, last] of Object.entries(hosts)) {
        const ns = this.#namespace(name);
        const link = `e${this.#suffix}${last}h`;
        const port = `e${this.#suffix}${last}b`;
        ip('link', 'add', link, 'type', 'veth', 'peer', 'name', port);
        ip('link', 'set', link, 'netns', ns);
        ip('link', 'set', port, 'netns', bridge);
        ip('-n', bridge, 'link', 'set', port, 'master', 'br0');
        ip('-n', bridge, 'link', 'set', port, 'up');
        const address = `${SUBNET}.${last}`;
        ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', link);
        ip('-n', ns, 'link', 'set', link, 'up');
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        this.#hosts.set(name, { ns, address, link });
      }
    } catch (error) {
      this.#deleteNamespaces();
      throw error;
    }
  }

  #namespace(name: string): string {
    const ns = `ep-${this.#suffix}-${name}`;
    ip('netns', 'add', ns);
    this.#namespaces.push(ns);
    return ns;
  }

  #host(name: string) {
    const host = this.#hosts.get(name);
    if (!host) throw new Error(`no test host ${name}`);
    return host;
  }

  address(name: string): string {
    return this.#host(name).address;
  }

  /** Starts a command on a host; it is stopped by destroy() unless it has ended. */
  spawn(host: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.#host(host).ns, command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.#processes.push(child);
    return child;
  }

  /** Unplugs (or plugs back) the host's cable: its end of the link goes down (or up). */
  setLink(host: string, up: boolean): void {
    const { ns, link } = this.#host(host);
    ip('-n', ns, 'link', 'set', link, up ? 'up' : 'down');
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.#processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await once(child, 'exit');
        clearTimeout(timer);
      }),
    );
    this.#deleteNamespaces();
  }

  #deleteNamespaces(): void {
    for (const ns of this.#namespaces.splice(0).reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }
}

/** The first line a process prints that parses as JSON (the helpers announce themselves so). */
export async function firstJsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  let buffer = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  return new Promise<T>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const value = JSON.parse(line) as T;
          child.stdout?.off('data', onData);
          resolve(value);
          return;
        } catch {
          // not complete yet
        }
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`${what} exited (${code ?? 'signal'}) before it was ready:\n${errors}`));
    });
  });
}
