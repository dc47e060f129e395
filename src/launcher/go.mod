module rlimit-injector.io/launcher

go 1.22
