"""What every chart page carries besides its own HTML: the Vega bundle (cached on
disk) and the embed script, with the Content-Security-Policy that allows only them."""
