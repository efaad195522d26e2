// aedes (npm, MQTT 3.1.1 only) on loopback for the end-to-end suite: MQTT over TCP and
// over WebSocket (the `ws` package), both bound to 127.0.0.1.
//
//   node scripts/aedes-broker.mjs --tcp-port 1883 --ws-port 9001
//
// Retained messages live in memory (aedes' default persistence): a restart loses them,
// as a real aedes without a persistence plugin would. Prints "ready" once both listen.
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

function arg (name) {
  const i = process.argv.indexOf(name)
  const port = i >= 0 ? Number(process.argv[i + 1]) : NaN
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`usage: aedes-broker.mjs --tcp-port PORT --ws-port PORT (bad ${name})`)
    process.exit(2)
  }
  return port
}

const tcpPort = arg('--tcp-port')
const wsPort = arg('--ws-port')
const aedes = await Aedes.createBroker()

const tcp = createTcpServer(aedes.handle)
const http = createHttpServer()
const wss = new WebSocketServer({ server: http })
wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req))

let listening = 0
const ready = () => { if (++listening === 2) console.log('ready') }
tcp.listen(tcpPort, '127.0.0.1', ready)
http.listen(wsPort, '127.0.0.1', ready)
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => aedes.close(() => process.exit(0)))
}
