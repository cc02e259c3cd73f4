go test fuzz v1
[]byte("select cast(range as date) as day\nfrom range(date '2024-01-01', date '2024-01-08', interval 1 day)\n")
