/**
 * Jest's node environment with a plain global object. Jest 30 builds each test file's vm context on a Proxy (for
 * its cleanup of globals left behind), and a vm context reaches its globals through interceptors, so every global
 * read in hot code (Math.max per byte in csv-parse, Buffer, Date) pays both: code ran 3 to 5 times slower under
 * Jest than under node (jestjs/jest#5163, nodejs/node#31658, jestjs/jest#15718). Node's
 * vm.constants.DONT_CONTEXTIFY (Node 22.8 and later) makes a context whose global is an ordinary object. Each
 * test file still gets a context of its own; what is given up is Jest's removal, at teardown, of properties a
 * test left on its global, which the context's own end frees anyway.
 */
const vm = require("node:vm");
const { TestEnvironment } = require("jest-environment-node");

class PlainGlobalEnvironment extends TestEnvironment {
  constructor(config, context) {
    // Jest's constructor makes the context with vm.createContext(proxy): give it a plain one for that call only.
    const createContext = vm.createContext;
    vm.createContext = () => createContext(vm.constants.DONT_CONTEXTIFY);
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

module.exports = PlainGlobalEnvironment;
