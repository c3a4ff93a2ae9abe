# The two commands a newcomer needs: `make demo` and `make test`.
.PHONY: bootstrap build release test demo spark-demo spark-test format lint

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

# PySpark from PyPI in a cached virtual environment (scripts/spark-env.sh); needs Java 17.
spark-demo: bootstrap
	scripts/spark-demo.sh

spark-test: bootstrap
	Tests/Spark/run.sh

format:
	scripts/format.sh

lint:
	scripts/lint.sh
