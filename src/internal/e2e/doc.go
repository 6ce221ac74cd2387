// Package e2e holds netfix's end-to-end tests: each builds the netfix
// binary (netnstest.BuildNetfix), runs it as a user would (check, fix,
// flush, the daemon) against network namespaces it creates, and reads its
// output and exit code. They need root and are built with the kernel tag:
//
//	go test -tags kernel -count=1 -p 1 ./src/internal/e2e/
//
// Tests of one package's code stay in that package; a test that execs the
// binary belongs here.
package e2e
