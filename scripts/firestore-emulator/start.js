// Starts the Firestore emulator on 127.0.0.1 (its own start() binds 0.0.0.0) at the port given
// as the first argument, or a free one, and prints `FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT`
// once it serves. Stops on SIGTERM or SIGINT.
const { FirestoreServer } = require("@firestore-emulator/server");
const { ServerCredentials } = require("@grpc/grpc-js");

const port = Number(process.argv[2] || 0);
const emulator = new FirestoreServer();
// `server` is private in the package's types, not at run time.
emulator.server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => {
  if (error) {
    console.error(`cannot start the Firestore emulator: ${error.message}`);
    process.exit(1);
  }
  console.log(`FIRESTORE_EMULATOR_HOST=127.0.0.1:${bound}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    emulator.stop();
    process.exit(0);
  });
}
