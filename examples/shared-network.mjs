// Two sandboxes in one network namespace: a server in the first, a client in the second,
// talking over the loopback they share — and nothing of the host's network.
// A namespace belongs to the user namespace that made it, so the second joins both.
import { Container, Namespaces } from 'nsjail-ts';

const server = await Container.create({
  args: ['/usr/bin/python3', '-c', `
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); c.sendall(b"hello from the first sandbox\\n"); c.close()`],
});
try {
  const p = server.start();
  await new Promise((resolve) => p.stdout.once('data', resolve)); // "listening"

  const ns = server.namespaces;
  const client = await Container.run({
    args: ['/usr/bin/python3', '-c', 'import socket; s = socket.create_connection(("127.0.0.1", 8080)); print(s.recv(100).decode(), end="")'],
    namespaces: new Namespaces(['pid', 'mount', 'uts', 'ipc']).add('user', ns.pathOf('user')).add('net', ns.pathOf('net')),
  });
  process.stdout.write(`client got: ${client.stdout}`);
  console.log(`server exit status ${(await p.wait()).exitCode}`);
} finally {
  await server.destroy();
}
