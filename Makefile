# Anchorage: build, run, test.
GO      ?= go
BIN     := bin/anchorage
DATA    ?= ./data
LISTEN  ?= 127.0.0.1:8080

.PHONY: build run test test-unit bench lint clean bench-peer bench-eas-peer bench-rss bench-metrics bench-nodes install

build:
	$(GO) build -o $(BIN) ./cmd/anchorage

# Install the binary, the README and the systemd unit under PREFIX
# (DESTDIR for packaging): make install PREFIX=/usr/local
PREFIX  ?= /usr/local
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/anchorage
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/anchorage/README.md
	install -D -m 0644 contrib/anchorage.service $(DESTDIR)$(PREFIX)/share/anchorage/anchorage.service

# The server on its embedded default: SQLite under $(DATA) and a demo user.
run: build
	mkdir -p $(DATA)
	./$(BIN) serve --listen $(LISTEN) --data $(DATA) --demo

# The whole suite: gofmt and go vet, unit tests, store conformance, and the
# real-client suite (SyncEvolution driven by ../shared/conformance/syncml-client.sh).
# The randomized convergence scenarios run a second time on PostgreSQL, two
# server nodes taking a session's messages in turn (a throwaway cluster; add
# -scenarios 500 for the long run).
test: lint
	$(GO) test -count=1 -timeout 45m ./...
	$(GO) test -count=1 -timeout 20m ./test/convergence -run TestRandomizedConvergence -args -postgres -scenarios 60

# Everything but the real-client suite, then a count of passed and skipped
# tests and the reasons for the skips (tests on ../shared's third-party data
# skip when it is absent; the project's own fixtures/ always run).
test-unit:
	bash scripts/test-summary.sh $(GO) test -count=1 -short ./...

# Go benchmarks of every package (not part of make test): codecs (syncml,
# wbxml, pim), engine, store, load generator. One package:
# go test -run '^$$' -bench . -benchmem ./protocol/pim/
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin

# Anchorage side by side with SyncEvolution's and Horde's SyncML servers, same
# real client (../shared/conformance): make bench-peer [N="1000 5000"] [REPS=3]
bench-peer:
	REPS="$(REPS)" bash scripts/bench-peer.sh $(N)

# Anchorage's Exchange ActiveSync side by side with SOGo, same real client
# (TbSync's EAS code, ../shared/conformance/activesync):
# make bench-eas-peer [N="1000 2000"] [REPS=3]
bench-eas-peer:
	REPS="$(REPS)" bash scripts/bench-eas-peer.sh $(N)

# The server's peak RSS and CPU with a large address book: slow upload,
# refresh-from-server and slow compare of N contacts by the real client
# (../shared/conformance): make bench-rss [N=100000] [PPROF_PORT=6061]
bench-rss:
	PPROF_PORT="$(PPROF_PORT)" bash scripts/bench-rss.sh $(N)

# The cost of metrics on fast sessions: cmd/anchorage-load against the server
# with metrics on and with serve --metrics=false, alternating (BENCHMARKS.md):
# make bench-metrics [PAIRS=5]
bench-metrics:
	bash scripts/bench-metrics.sh $(PAIRS)

# Fast sessions/s and p99 for 1, 2 and 3 nodes on one PostgreSQL (its own
# throwaway cluster) behind a round-robin proxy, against SQLite; statements,
# commits, lock hold per session; slow upload CPU on both:
# make bench-nodes [NODES="1 2 3"] [DEVICES=200] [CONC=16] [DURATION=20s]
bench-nodes:
	NODES="$(or $(NODES),1 2 3)" DEVICES="$(or $(DEVICES),200)" CONC="$(or $(CONC),16)" DURATION="$(or $(DURATION),20s)" bash scripts/bench-nodes.sh
