# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: bootstrap build release test demo format lint

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	swift build

release: bootstrap
	swift build -c release

test: bootstrap
	swift test

demo: release
	.build/release/tailor serve --rules examples/homepage/rules.json < examples/homepage/profiles.jsonl

format:
	scripts/format.sh

lint:
	scripts/lint.sh
