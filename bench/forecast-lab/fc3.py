import math, numpy as np
from load import *
from fc2 import fcast
def tstat(X,Y):
    x=np.array(X,float); y=np.array(Y,float); n=len(x)
    if n<4: return 0
    xm=x-x.mean(); sxx=(xm*xm).sum(); b=(xm*(y-y.mean())).sum()/sxx
    r=y-y.mean()-b*xm; s2=(r*r).sum()/(n-2); se=math.sqrt(s2/sxx) if s2>0 else 1e-12
    return b/se
def run(lam=1.0, tmin=None, frac=0.5, fams=('pow','exp'), agg='mean', band=None, verbose=False):
    out=[]
    for name,paths in sets().items():
        R=load(paths)
        for cut in (0.2,0.5):
            rows=[]
            for rid,(xs,ys,cfg) in R.items():
                pts=[(a,b) for a,b in zip(xs,ys) if b==b and abs(b)!=float('inf')]
                if len(pts)<10: continue
                X=[a for a,_ in pts]; Y=[b for _,b in pts]
                k=max(int(round(len(X)*cut)),5)
                i=int(np.argmin(Y[:k]))
                if i < k-max(2,k//4): continue
                if tmin is not None:
                    h=k//2
                    if tstat(X[h:k],Y[h:k]) > -tmin: continue
                f=fcast(X[:k],Y[:k],X[-1],frac=frac,fams=fams,agg=agg)
                if f is None: continue
                sofar=min(Y[:k]); p=sofar+lam*(f[0]-sofar)
                t=min(Y); s=abs(t) or 1
                rows.append((abs(p-t)/s, abs(sofar-t)/s))
            a=np.array(rows)
            out.append(f"{name[:3]}{cut}:{np.median(a[:,0])/np.median(a[:,1]):.2f}(n{len(a)})")
    print(lam,tmin,frac,fams,agg, ' '.join(out))
for tmin in (None,2.0,3.0):
  for lam in (1.0,0.8,0.6):
    run(lam=lam,tmin=tmin)
