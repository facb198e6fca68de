# expect: 1:1: error: no model in this file
