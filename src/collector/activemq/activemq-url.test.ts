import { describe, expect, it } from 'vitest';
import { parseActiveMqUrl } from './activemq-url.js';

describe('parseActiveMqUrl', () => {
  it("takes zipkin's OpenWire URL for the host and uses the STOMP port instead of 61616", () => {
    expect(parseActiveMqUrl('tcp://mq.example:61616')).toEqual([
      { host: 'mq.example', port: 61613, ssl: false },
    ]);
    expect(parseActiveMqUrl('tcp://mq.example:61616', 7000)).toEqual([
      { host: 'mq.example', port: 7000, ssl: false },
    ]);
    expect(parseActiveMqUrl('ssl://mq:61617?jms.password=x')).toEqual([
      { host: 'mq', port: 61613, ssl: true },
    ]);
  });

  it('tries each broker of a failover URL in order', () => {
    expect(parseActiveMqUrl('failover:(tcp://a:61616,tcp://b:61616)?randomize=false')).toEqual([
      { host: 'a', port: 61613, ssl: false },
      { host: 'b', port: 61613, ssl: false },
    ]);
    expect(parseActiveMqUrl('failover:tcp://a:61616')).toEqual([{ host: 'a', port: 61613, ssl: false }]);
  });

  it('uses a stomp:// URL as written', () => {
    expect(parseActiveMqUrl('stomp://[::1]:1234')).toEqual([{ host: '::1', port: 1234, ssl: false }]);
    expect(parseActiveMqUrl('stomp+ssl://h')).toEqual([{ host: 'h', port: 61613, ssl: true }]);
  });

  it('refuses what it cannot read without echoing the URL (it may hold a password)', () => {
    expect(() => parseActiveMqUrl('vm://localhost')).toThrow(/unsupported scheme vm/);
    expect(() => parseActiveMqUrl('h:61616?jms.password=secret')).toThrow(/scheme:\/\/host/);
    expect(() => parseActiveMqUrl('h:61616?jms.password=secret')).not.toThrow(/secret/);
    expect(() => parseActiveMqUrl('tcp://h:99999')).toThrow(/out of range/);
    expect(() => parseActiveMqUrl('failover:()')).toThrow(/expected/);
  });
});
