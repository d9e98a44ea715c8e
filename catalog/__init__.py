"""The structured service catalog (服务清单): services, HSDS interchange, service lists."""
