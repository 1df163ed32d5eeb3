// One port for both transports, as googleapis.com hosts serve them: a connection that opens with the HTTP/2
// connection preface ("PRI * HTTP/2.0", what gRPC clients send first) is piped to the gRPC server; anything
// else is HTTP/1.1 and goes to the REST server. So `mentor.apiEndpoint` = host:port reaches every API over
// gRPC (the Node clients) and REST (@googleapis/* clients with rootUrl, clients in fallback mode, gcloud).
import * as http from 'node:http';
import * as net from 'node:net';

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

export interface SharedPort {
  port: number;
  close(): Promise<void>;
}

export function startSharedPort(host: string, port: number, grpcPort: number, rest: http.Server): Promise<SharedPort> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = net.createServer((socket) => {
    track(socket);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      // enough bytes to tell the two apart (a request line never starts like the HTTP/2 preface)
      if (head.length < HTTP2_PREFACE.length && HTTP2_PREFACE.subarray(0, head.length).equals(head)) return;
      socket.off('data', onData);
      socket.pause();
      if (head.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) pipeToGrpc(socket, head);
      else handToRest(socket, head);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });

  const pipeToGrpc = (socket: net.Socket, head: Buffer) => {
    const upstream = net.connect(grpcPort, '127.0.0.1');
    track(upstream);
    upstream.setNoDelay(true);
    socket.setNoDelay(true);
    upstream.write(head);
    socket.pipe(upstream).pipe(socket);
    socket.resume();
    const end = () => { socket.destroy(); upstream.destroy(); };
    upstream.on('error', end);
    socket.on('close', end);
    upstream.on('close', end);
  };

  const handToRest = (socket: net.Socket, head: Buffer) => {
    socket.unshift(head);
    rest.emit('connection', socket);
    socket.resume();
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}
