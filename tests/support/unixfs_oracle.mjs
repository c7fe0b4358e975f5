// The tests' independent UnixFS implementation: ipfs-unixfs-importer (Helia's importer) set to kubo's
// `ipfs add` defaults, and @ipld/car's reader. Reads a JSON request on stdin, prints a JSON answer.
//   {"op": "add", "cidVersion": 0|1, "entries": [{"path": "root/a.txt", "content": "<base64>"}, {"path": "root/d"}]}
//   ({"path": ..., "size": n} is a file of n bytes i % 251, so that large files need not travel as JSON)
//     -> {"cid": "<root CID>"}: the CID of the entry whose path is "root" (an entry without content is a folder)
//   {"op": "car", "file": "out.car"} -> {"roots": [...], "blocks": [...]}, every block's sha2-256 checked
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'
import { CarReader } from '@ipld/car'

const request = JSON.parse(readFileSync(0, 'utf8'))

function pattern (size) {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i++) bytes[i] = i % 251
  return bytes
}

async function add () {
  const v1 = request.cidVersion === 1
  const entries = request.entries.map(({ path, content, size }) => {
    if (size !== undefined) return { path, content: pattern(size) }
    return content === undefined ? { path } : { path, content: Buffer.from(content, 'base64') }
  })
  let root
  for await (const entry of importer(entries, new MemoryBlockstore(), {
    cidVersion: request.cidVersion,
    rawLeaves: v1,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
    wrapWithDirectory: false
  })) {
    if (entry.path === 'root') root = entry.cid.toString()
  }
  return { cid: root }
}

async function car () {
  const reader = await CarReader.fromBytes(readFileSync(request.file))
  const blocks = []
  for await (const { cid, bytes } of reader.blocks()) {
    const digest = createHash('sha256').update(bytes).digest()
    if (cid.multihash.code !== 0x12 || !Buffer.from(cid.multihash.digest).equals(digest)) {
      throw new Error(`block ${cid} does not hash to its CID`)
    }
    blocks.push(cid.toString())
  }
  return { roots: (await reader.getRoots()).map(String), blocks }
}

const answer = request.op === 'car' ? await car() : await add()
process.stdout.write(JSON.stringify(answer))
